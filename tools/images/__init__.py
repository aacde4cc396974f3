"""`make images`: what to copy into images.registry for one deployment, and how to read the digests."""
