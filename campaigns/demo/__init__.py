"""Demo data for `./dev up` (`core`, `kickoff`, `results`, `plans`, `flags`: steps run in that order) and the
synthetic campaigns of `manage.py bench` (`bench`)."""
