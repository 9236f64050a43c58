"""The public transparency portal (``/public/``): what anyone may read without signing in."""
