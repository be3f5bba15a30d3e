"""careloop: customer-care automation for a small business that keeps its customers in a sheet."""
