"""LaTeX (arXiv source) mappers: Data-Juicer 1.6.1's RedPajama-style cleaners (comments, preamble
before the first heading, bibliography and appendix, macros without arguments)."""
