"""Personal data: export (right of access), account closure and erasure with legal retention, the schedule.

``closures`` (request, cancel, hold, resume), ``erasure`` (what goes, what the law keeps and
until when), ``exports`` (the archive and its signed link), ``purge`` (what has passed its
retention), ``rules`` (the retention schedule and the cookies, shown on the privacy policy
and the operator's register), ``queries`` (what the pages show), ``jobs``, ``seed``.
"""
