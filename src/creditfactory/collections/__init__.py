"""Collections: the collection scorecard's inputs, the reason of default inferred from what a
lender observes, treatment strategies by bucket x score band x reason, and the back-test of
strategies on a portfolio run."""
