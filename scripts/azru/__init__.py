"""azru: build and check the Azerbaijan–Russia tensions data package."""
