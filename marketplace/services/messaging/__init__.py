"""Messages between an SME and a freelancer: one thread per application, continued by its contract.

* :mod:`.rules` — the body's bounds, who may still write, the e-mail batching window;
* :mod:`.threads` — finding or opening a thread, posting, marking it read (the operations);
* :mod:`.notifications` — the e-mail to the other side, at most one per thread and window;
* :mod:`.queries` — the thread page, the inbox, unread counts for the navigation and dashboards;
* :mod:`.jobs` — the notification job and its periodic catch-up; :mod:`.seed` — the demo's messages.

The privacy area exports a person's messages and erases the bodies they wrote (``privacy.exports``,
``privacy.erasure``).
"""
