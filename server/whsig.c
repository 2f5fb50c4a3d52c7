/* whsig.c — Standard Webhooks secrets, signatures and the retry schedule (whsig.h). */
#include "whsig.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

static const char PREFIX[] = "whsec_";

int ow_whsig_secret_parse(const char *s, unsigned char key[OW_WHSIG_KEY_MAX])
{
	size_t plen = sizeof PREFIX - 1;
	if (!s || strncmp(s, PREFIX, plen) != 0)
		return -1;
	const char *b64 = s + plen;
	size_t n = strlen(b64);
	/* 24..64 bytes are 32..88 base64 characters, a multiple of 4 with padding. */
	if (n < 32 || n > 88 || n % 4 != 0)
		return -1;
	size_t pad = b64[n - 1] == '=' ? (b64[n - 2] == '=' ? 2 : 1) : 0;
	for (size_t i = 0; i < n - pad; i++) {
		char c = b64[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '/'))
			return -1;
	}
	unsigned char out[OW_WHSIG_KEY_MAX + 3];
	int len = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)n);
	if (len < 0)
		return -1;
	len -= (int)pad; /* EVP_DecodeBlock counts the padding as zero bytes */
	if (len < OW_WHSIG_KEY_MIN || len > OW_WHSIG_KEY_MAX)
		return -1;
	memcpy(key, out, (size_t)len);
	return len;
}

int ow_whsig_secret_make(char out[OW_WHSIG_SECRET_MAX])
{
	unsigned char key[32];
	if (RAND_bytes(key, sizeof key) != 1)
		return -1;
	memcpy(out, PREFIX, sizeof PREFIX - 1);
	EVP_EncodeBlock((unsigned char *)out + sizeof PREFIX - 1, key, sizeof key);
	return 0;
}

int ow_whsig_sign(const unsigned char *key, size_t keylen, const char *id, long long ts,
		  const char *body, size_t bodylen, char out[OW_WHSIG_SIG_MAX])
{
	char head[256];
	int hn = snprintf(head, sizeof head, "%s.%lld.", id, ts);
	if (hn < 0 || (size_t)hn >= sizeof head)
		return -1;
	/* HMAC-SHA256 over the head and the body in two parts (no copy of the body). */
	unsigned char mac[EVP_MAX_MD_SIZE];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_HMAC, NULL, key, keylen);
	size_t sl = sizeof mac;
	int ok = ctx && pkey && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pkey) == 1 &&
		 EVP_DigestSignUpdate(ctx, head, (size_t)hn) == 1 &&
		 EVP_DigestSignUpdate(ctx, body, bodylen) == 1 &&
		 EVP_DigestSignFinal(ctx, mac, &sl) == 1;
	EVP_PKEY_free(pkey);
	EVP_MD_CTX_free(ctx);
	if (!ok || sl != 32)
		return -1;
	memcpy(out, "v1,", 3);
	EVP_EncodeBlock((unsigned char *)out + 3, mac, (int)sl);
	return 0;
}

unsigned ow_whsig_retry_delay(unsigned failures)
{
	if (failures <= 1)
		return 1;
	if (failures == 2)
		return 5;
	unsigned d = 10;
	for (unsigned i = 3; i < failures && d < 3600; i++)
		d *= 2;
	return d < 3600 ? d : 3600;
}
