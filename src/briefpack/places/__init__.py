"""places: seats, members, police forces, postcodes, search and the campaign tracker keyed by seat.
Imports core and data."""
