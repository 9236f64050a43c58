"""The API layer of the kernel: permission, pagination, errors, and the kernel's own endpoints."""
