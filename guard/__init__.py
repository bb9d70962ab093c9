"""Request guards shared by the whole site: security headers, input checks."""
