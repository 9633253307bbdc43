import not_a_module_anywhere  # noqa: F401
