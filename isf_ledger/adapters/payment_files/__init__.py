"""The files a payment run hands to the bank and to the card provider."""
