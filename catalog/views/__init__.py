"""Pages of the catalogue: search and lines, price-list imports, revisions, exports."""
