/* whsig.h — Standard Webhooks signing (https://www.standardwebhooks.com): secrets
 * ("whsec_" + base64 key), the v1 signature of a message, and the retry schedule of a failed
 * delivery. Pure: OpenSSL libcrypto only, no network. */
#ifndef OW_WHSIG_H
#define OW_WHSIG_H
#include <stddef.h>

#define OW_WHSIG_KEY_MIN 24
#define OW_WHSIG_KEY_MAX 64
#define OW_WHSIG_SECRET_MAX 100 /* "whsec_" + base64 of 64 bytes (88) + NUL */
#define OW_WHSIG_SIG_MAX 64	/* "v1," + base64 of 32 bytes (44) + NUL */

/* Decodes a secret "whsec_<base64>" (standard alphabet, padded) whose key is 24..64 bytes
 * into key (OW_WHSIG_KEY_MAX bytes): the key's length, or -1 when s is no such secret. */
int ow_whsig_secret_parse(const char *s, unsigned char key[OW_WHSIG_KEY_MAX]);
/* Makes a new secret of 32 random bytes (RAND_bytes) into out (OW_WHSIG_SECRET_MAX bytes):
 * 0, or -1 when no randomness could be had. */
int ow_whsig_secret_make(char out[OW_WHSIG_SECRET_MAX]);
/* The webhook-signature value "v1,<base64 HMAC-SHA256(key, "<id>.<ts>.<body>")>" into out
 * (OW_WHSIG_SIG_MAX bytes): 0, or -1. */
int ow_whsig_sign(const unsigned char *key, size_t keylen, const char *id, long long ts,
		  const char *body, size_t bodylen, char out[OW_WHSIG_SIG_MAX]);
/* Seconds to wait before the next attempt after the failures-th failure of one message
 * (1-based): 1, 5, then 10 doubling (20, 40, ...) up to 3600. */
unsigned ow_whsig_retry_delay(unsigned failures);

#endif
