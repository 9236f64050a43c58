"""Open Contracting Data Standard (OCDS 1.1) publication: releases, records and packages.

It reads tenders, agreements and orders and writes nothing: a release is derived from the
state of a contracting process at each stage, with stable identifiers, so that exporting twice
gives the same ``ocid`` and release ``id``\\s.
"""
