"""Pages of ordering: subscriptions, the cart and checkout, orders and their actions, the approval
chain, off-platform call-offs. Thin: selectors read, services write."""
