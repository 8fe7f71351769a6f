"""Documents (receipt, form, reports) and their thermal/PDF renderers."""
