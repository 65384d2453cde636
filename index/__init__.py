"""bahth's index: reading documents from files and keeping a Whoosh index in step with them."""
