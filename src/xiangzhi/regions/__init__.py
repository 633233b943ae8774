"""The jurisdiction tree: county → town → village → grid → micro-grid, coded by trimmed statistical codes."""
