#!/usr/bin/env bash
# countries.sh — prints the VALUES rows of the country names that organizations' `country`
# accepts (sql/schema/0019_org_attributes.sql): every ISO 3166-1 entry of Debian's iso-codes
# package (alpha-2, alpha-3, name, official and common name), then the spellings that public
# layoff trackers use and ISO does not (UK, Russia, Turkey...). Run once when iso-codes
# changes and paste the output into a new migration (with the countries table's code and
# common name, and the code list of server/filter.c); the server never reads iso-codes.
set -euo pipefail
ISO=${ISO:-/usr/share/iso-codes/json/iso_3166-1.json}
{
	jq -r '."3166-1"[] | [.alpha_2, .alpha_2] , [.alpha_3, .alpha_2], [.name, .alpha_2],
		(select(.official_name) | [.official_name, .alpha_2]),
		(select(.common_name) | [.common_name, .alpha_2]) | @tsv' "$ISO"
	cat <<'VARIANTS'
UK	GB
Great Britain	GB
Britain	GB
England	GB
Scotland	GB
Wales	GB
Northern Ireland	GB
Russia	RU
Turkey	TR
Czech Republic	CZ
Republic of Korea	KR
Korea	KR
North Korea	KP
UAE	AE
Macedonia	MK
Ivory Coast	CI
Burma	MM
Swaziland	SZ
Cape Verde	CV
East Timor	TL
Vatican	VA
Palestine	PS
Holland	NL
The Netherlands	NL
US	US
U.S.	US
U.S.A.	US
United States of America	US
America	US
Mainland China	CN
PRC	CN
VARIANTS
} | awk -F'\t' '{ gsub(/\x27/, "\x27\x27", $1); printf "\t(\x27%s\x27, \x27%s\x27),\n", $1, $2 }' | sed '$ s/,$//'
