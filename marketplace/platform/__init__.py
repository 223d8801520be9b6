"""What talks to the outside world or serves every area: jobs, mail, audit, links, storage, PDF, identifiers, events."""
