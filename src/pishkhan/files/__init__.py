"""The file store: uploads checked by their content, kept under random names."""
