"""The weekly digest for the manager: last week's figures against the week before."""
