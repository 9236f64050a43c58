"""The server-rendered web interface, one module per concern. Thin: selectors read, services write."""
