"""Pure domain code: no Qt, no I/O. Everything here is safe to use from any thread or process."""
