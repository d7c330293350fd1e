"""Request and response schemas, one module per resource, apart from tables and domain."""
