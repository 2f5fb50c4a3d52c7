	/* The recipe's throwaway record type (tests/recipe/), step 3: its registry entry. */
	{.name = "award",
	 .plural = "awards",
	 .path = "awards",
	 .res = &ow_res_awards,
	 .columns = {"person", "name", "awarded_on", NULL},
	 .table = "awards",
	 .refs = {"person:person", NULL}},
