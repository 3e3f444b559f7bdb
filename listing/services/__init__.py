"""Every write of the listing app, by topic: `applications` (LST-0.1 … LST-C5, EXP-1/2), `batch`
(the monthly batch), `status` (price changes and status transitions, DEL-1 … DEL-4, LST-5).
Import from the topic module; reads live in `listing.selectors`."""
