"""The tender pages, one module per step: surveys, tenders, questions, bids, evaluation, agreements, public."""
