"""Party dues (党费): categories, bases, monthly assessment, payments and arrears (DUES-*)."""
