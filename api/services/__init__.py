"""Services the routes call: the work behind an endpoint, free of HTTP (no Request, no
status codes), so routes stay thin and no route module imports another."""
