"""Post-loan early warning: the monthly monitoring of the book (vintages, roll rates, stability,
alerts) and the industry default outlook, computed from the lending data contract's portfolio
tables whether they come from a portfolio run or from the store."""
