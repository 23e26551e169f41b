"""AWS Resource Groups Tagging API (``tagging``): the tagged resources of every served service, read in one place."""
