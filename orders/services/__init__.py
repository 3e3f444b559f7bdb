"""Every write of orders and settlement, by topic: `ordering` (ORD-1, ORD-4), `fulfilment`
(delivery, receipt, return), `settlement` (ORD-2), `no_sales` (DEL-1), `cart` (the shop's cart, issue 15 item 1). Import from the topic
module; reads live in `orders.selectors`."""
