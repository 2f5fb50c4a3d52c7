	/* The recipe's throwaway record type (tests/recipe/), step 4: its statements. */
	[OW_Q_AWARDS_LIST] = {"awards_list", 5, 1},
	[OW_Q_AWARDS_GET] = {"awards_get", 1},
	[OW_Q_AWARDS_WRITE] = {"awards_write", 4},
