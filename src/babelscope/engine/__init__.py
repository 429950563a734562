"""The engine: requests in, responses out, executed on a Model."""
