/* filter.c — validation of list and query filter values (dates, timestamps, enums, enum
 * lists, depths, text bounds). Pure: the query-string fuzz target links it alone. */
#include "filter.h"

#include <stdlib.h>
#include <string.h>

#include "pdate.h"

const char *const ow_ref_person[] = {"person", NULL};
const char *const ow_ref_organization[] = {"organization", NULL};
const char *const ow_ref_team[] = {"team", NULL};
const char *const ow_ref_layoff[] = {"layoff", NULL};

/* The ISO 3166-1 alpha-2 codes, two letters each, in order (iso-codes 4.15, the same list
 * as the countries table of sql/schema/0019_org_attributes.sql; see scripts/countries.sh). */
static const char country_codes[] =
	"ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZCACCCD"
	"CFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFOFRGAGBGDGEGF"
	"GGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHUIDIEILIMINIOIQIRISITJEJMJOJPKEKGKHKIKMKN"
	"KPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZNA"
	"NCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARERORSRURWSASBSCSDSESGSHSI"
	"SJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVI"
	"VNVUWFWSYEYTZAZMZW";

/* v is an assigned ISO 3166-1 alpha-2 code, in either case. */
static int is_country_code(const char *v)
{
	if (strlen(v) != 2)
		return 0;
	char c0 = (char)(v[0] & ~0x20), c1 = (char)(v[1] & ~0x20);
	if (c0 < 'A' || c0 > 'Z' || c1 < 'A' || c1 > 'Z')
		return 0;
	for (size_t i = 0; i + 1 < sizeof country_codes; i += 2)
		if (country_codes[i] == c0 && country_codes[i + 1] == c1)
			return 1;
	return 0;
}

static int digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* YYYY-MM-DD, optionally followed by THH:MM[:SS[.frac]] and Z or ±HH:MM. */
static int is_timestamp(const char *s)
{
	struct ow_pdate d;
	const char *why;
	char day[11];
	if (strlen(s) < 10)
		return 0;
	memcpy(day, s, 10);
	day[10] = '\0';
	if (ow_pdate_parse_day(day, &d, &why) != 0)
		return 0;
	s += 10;
	if (*s == '\0')
		return 1;
	if ((*s != 'T' && *s != 't' && *s != ' ') || !digits(s + 1, 2) || s[3] != ':' ||
	    !digits(s + 4, 2))
		return 0;
	if (s[1] > '2' || (s[1] == '2' && s[2] > '3') || s[4] > '5')
		return 0;
	s += 6;
	if (*s == ':') {
		if (!digits(s + 1, 2) || s[1] > '5')
			return 0;
		s += 3;
		if (*s == '.') {
			s++;
			int n = 0;
			while (*s >= '0' && *s <= '9' && n < 9) {
				s++;
				n++;
			}
			if (n == 0)
				return 0;
		}
	}
	if (*s == 'Z' || *s == 'z')
		return s[1] == '\0';
	if ((*s == '+' || *s == '-') && digits(s + 1, 2) && s[3] == ':' && digits(s + 4, 2))
		return s[6] == '\0';
	return 0;
}

/* Every comma-separated item of v is one of values (no empty items); "all" stands alone. */
static int enum_list_ok(const char *const *values, const char *v)
{
	if (strstr(v, ",") && (strncmp(v, "all,", 4) == 0 || strstr(v, ",all,") ||
			       (strlen(v) >= 4 && strcmp(v + strlen(v) - 4, ",all") == 0)))
		return 0;
	while (*v) {
		size_t len = strcspn(v, ",");
		int found = 0;
		for (size_t i = 0; values[i] && !found; i++)
			found = strlen(values[i]) == len && strncmp(values[i], v, len) == 0;
		if (!found)
			return 0;
		v += len;
		if (*v == ',' && *++v == '\0')
			return 0;
	}
	return 1;
}

const char *ow_filter_check(const struct ow_filter *f, const char *v)
{
	struct ow_pdate d;
	const char *why;
	size_t n = strlen(v);
	switch (f->type) {
	case OW_F_TEXT:
		return n == 0	 ? "must not be empty"
		       : n > 200 ? "must have at most 200 bytes"
				 : NULL;
	case OW_F_REF:
		return n == 0	 ? "must not be empty"
		       : n > 300 ? "must have at most 300 bytes"
				 : NULL;
	case OW_F_ENUM:
	case OW_F_BOOL:
		for (size_t i = 0; f->values[i]; i++)
			if (strcmp(v, f->values[i]) == 0)
				return NULL;
		return "is not one of the allowed values";
	case OW_F_COUNTRY:
		return is_country_code(v)
			       ? NULL
			       : "must be an ISO 3166-1 alpha-2 country code such as US or GB";
	case OW_F_TIMESTAMP:
		return is_timestamp(v)
			       ? NULL
			       : "must be an RFC 3339 timestamp such as 2026-11-22T10:00:00Z";
	case OW_F_PDATE:
		return ow_pdate_parse(v, n, &d, &why) == 0
			       ? NULL
			       : "must be a date: YYYY, YYYY-MM or YYYY-MM-DD";
	case OW_F_DAY:
		return ow_pdate_parse_day(v, &d, &why) == 0 ? NULL : "must be a date YYYY-MM-DD";
	case OW_F_ENUM_LIST:
		return n > 0 && n <= 200 && enum_list_ok(f->values, v)
			       ? NULL
			       : "must be one or more of the allowed values, separated by commas";
	case OW_F_CHANGE_ID:
		if (n == 0 || n > 18 || strspn(v, "0123456789") != n)
			return "must be a change's id (a whole number, 0 for the start of the log)";
		return NULL;
	case OW_F_DEPTH:
		if (n == 0 || n > 4 || strspn(v, "0123456789") != n || atoi(v) > 1000)
			return "must be a whole number from 0 to 1000";
		return NULL;
	}
	return "unknown filter";
}
