"""HTML templates of the map page and the sign-in page."""
