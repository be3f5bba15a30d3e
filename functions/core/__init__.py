"""The pure domain: what customers, cases, surveys, cells and the sheet's tabs are, and the rules about
them. Nothing here reads a clock, a file or the network; it imports only from `functions.core`."""
