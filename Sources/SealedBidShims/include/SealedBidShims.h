// SealedBidShims: the only C code in SealedBid.
//
// Swift cannot import OpenSSL's function-like macros (sk_X509_*, OPENSSL_free),
// and OSSL_PARAM plumbing is clumsy from Swift. Each helper here does one small
// thing, takes `void *`/`size_t` pointers Swift can pass, and returns 1 on
// success and 0 (or a negative status) on failure. No helper holds state
// except the algorithm handles fetched once and what the load-time constructor
// set up for OpenSSL's memory (see sb_openssl_wipes_freed_memory).
#ifndef SEALEDBID_SHIMS_H
#define SEALEDBID_SHIMS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

// Algorithm handles fetched once per process (NULL if OpenSSL is unusable).
const EVP_MD *sb_sha256(void);
const EVP_CIPHER *sb_aes_gcm(size_t key_bytes);

// HKDF-SHA256 (RFC 5869) through EVP_KDF. `salt` may be empty.
int sb_hkdf_sha256_extract(const void *salt, size_t salt_len,
                           const void *ikm, size_t ikm_len,
                           void *prk_out /* 32 bytes */);
int sb_hkdf_sha256_expand(const void *prk, size_t prk_len,
                          const void *info, size_t info_len,
                          void *out, size_t out_len);

// HMAC-SHA256, one shot.
int sb_hmac_sha256(const void *key, size_t key_len,
                   const void *msg, size_t msg_len,
                   void *mac_out /* 32 bytes */);

// SubjectPublicKeyInfo (DER) -> SEC1 point octets, only for id-ecPublicKey
// with the named curve prime256v1. Returns 1, or one of SB_SPKI_* below.
enum {
    SB_SPKI_OK = 1,
    SB_SPKI_BAD_DER = -1,
    SB_SPKI_TRAILING_DATA = -2,
    SB_SPKI_NOT_EC = -3,
    SB_SPKI_WRONG_CURVE = -4,
    SB_SPKI_EXPLICIT_PARAMETERS = -5,
    SB_SPKI_INTERNAL = -6,
    SB_SPKI_NOT_DER = -7,
};
int sb_spki_p256_point(const void *der, size_t der_len,
                       void *point_out, size_t point_cap, size_t *point_len);

// ECDSA with SHA-256 over `msg`; `sig_der` must be DER. 1 valid, 0 invalid,
// negative on an internal error. `spki_der` is a P-256 SubjectPublicKeyInfo.
int sb_ecdsa_p256_sha256_verify(const void *spki_der, size_t spki_len,
                                const void *msg, size_t msg_len,
                                const void *sig_der, size_t sig_len);

// ECDSA P-256 signing key from DER (PKCS#8 or SEC1 ECPrivateKey). Returns
// NULL unless it is a P-256 key whose public key (as written in the file, or
// computed) belongs to its private key; free with EVP_PKEY_free.
EVP_PKEY *sb_ecdsa_p256_private_key_from_der(const void *der, size_t der_len);
// A private key of any type from PEM text ("PRIVATE KEY", "EC PRIVATE KEY", ...),
// read by OpenSSL's PEM reader straight from the caller's buffer (a read-only
// memory BIO: no copy). Encrypted keys are refused rather than prompting for a
// pass phrase. NULL on failure; free with EVP_PKEY_free.
EVP_PKEY *sb_private_key_from_pem(const void *pem, size_t pem_len);
// 1 when `key` is an EC key on P-256 (prime256v1).
int sb_is_p256_key(EVP_PKEY *key);
// The key's public point, uncompressed (65 bytes).
int sb_ecdsa_p256_public_point(EVP_PKEY *key, void *out65);
// Signs SHA-256(msg); writes a DER signature.
int sb_ecdsa_p256_sha256_sign(EVP_PKEY *key, const void *msg, size_t msg_len,
                              void *sig_der, size_t cap, size_t *sig_len);

// Strict DER ECDSA-Sig-Value <-> fixed 32-byte r and s. Parsing rejects
// trailing data and any encoding that does not re-encode byte for byte.
int sb_ecdsa_sig_from_der(const void *der, size_t der_len, void *r_out, void *s_out);
int sb_ecdsa_sig_to_der(const void *r, const void *s, void *der_out, size_t der_cap, size_t *der_len);

// X.509: parse one DER certificate (no trailing data). Caller frees with X509_free.
X509 *sb_x509_from_der(const void *der, size_t der_len);
// Verifies `leaf` against `roots` only (never the system store), with
// `intermediates` as untrusted helpers, at `at_time`, with X509_V_FLAG_X509_STRICT.
// Returns 1 if valid; otherwise 0 and the X509_V_ERR_* code in *verify_error.
int sb_x509_verify_chain(X509 *leaf,
                         X509 *const *intermediates, size_t intermediate_count,
                         X509 *const *roots, size_t root_count,
                         int64_t at_time, int *verify_error);
// The leaf's public key as a SubjectPublicKeyInfo (DER).
int sb_x509_spki_der(X509 *cert, void *out, size_t cap, size_t *out_len);
// The certificate validity window in seconds since the epoch.
int sb_x509_validity(X509 *cert, int64_t *not_before, int64_t *not_after);
// The keyUsage bits (KU_* of x509v3.h): UINT32_MAX when the certificate has no keyUsage
// extension, 0 when its extensions do not decode.
uint32_t sb_x509_key_usage(X509 *cert);

// EC_POINTs_mul is deprecated in OpenSSL 3.0 but is the only public
// multi-scalar multiplication; used for public values only.
int sb_ec_points_mul(const EC_GROUP *group, EC_POINT *r, size_t num,
                     const EC_POINT *const *points, const BIGNUM *const *scalars, BN_CTX *ctx);

// RFC 3161 time-stamping through OpenSSL's TS functions.
// Builds a DER TimeStampReq for a SHA-256 imprint with a 64-bit nonce and certReq.
int sb_ts_request(const void *imprint32, uint64_t nonce, void *out, size_t cap, size_t *out_len);
// A time-stamp authority: signs the DER request with `key` and `cert` at
// `at_time` (seconds), serial `serial`, policy "1.2.3.4.1".
// Writes the DER TimeStampResp. For tests and demos; 1 on success.
int sb_ts_respond(const void *request, size_t request_len, X509 *cert, EVP_PKEY *key,
                  int64_t at_time, uint64_t serial, void *out, size_t cap, size_t *out_len);
// Extracts the token (ContentInfo) from a granted DER TimeStampResp; returns
// 1, 0 if not granted, negative on malformed input.
int sb_ts_response_token(const void *response, size_t len, void *out, size_t cap, size_t *out_len);
// Reads a token's fields: genTime (seconds), SHA-256 imprint, nonce (0 if absent), serial (low 64 bits).
int sb_ts_token_info(const void *token, size_t len, int64_t *gen_time, void *imprint32, uint64_t *nonce,
                     int *has_nonce, uint64_t *serial);
// A token's accuracy in microseconds: 1 and *micros when present, 0 when absent, -1 when malformed
// (a part out of range, or seconds above 10^6).
int sb_ts_token_accuracy(const void *token, size_t len, int64_t *micros);
// Verifies a token: signature, signer certificate (critical timeStamping EKU,
// chain to `roots` valid at the token's own time, using `untrusted` certs and
// those in the token), SHA-256 imprint, and the nonce when `check_nonce`.
// Returns 1 if valid; on failure 0 and a static reason in *reason.
int sb_ts_verify(const void *token, size_t len, const void *imprint32, uint64_t nonce, int check_nonce,
                 X509 *const *roots, size_t root_count, X509 *const *untrusted, size_t untrusted_count,
                 const char **reason);

// OpenSSL frees through a wiping allocator: CRYPTO_set_mem_functions is called
// from a constructor, before any OpenSSL allocation, with malloc, and with a
// free (and realloc) that zero the whole block (malloc_usable_size) first, so
// what OpenSSL decodes or computes in its own heap (DER of a private key, base64
// lines of PEM, BIGNUM temporaries freed without BN_clear_free) is not left in
// freed memory. 1 if installed (Linux/glibc, and nothing had allocated yet).
int sb_openssl_wipes_freed_memory(void);
// The same constructor gives OpenSSL a 256 KiB secure heap (CRYPTO_secure_malloc_init),
// where it keeps EC private keys (EVP_PKEY) and ECDSA nonces. Returns what the
// initialisation returned: 1 locked, 2 not locked, 0 failed.
int sb_openssl_secure_heap(void);

// Process hardening for the sealbid executable: no core dumps (RLIMIT_CORE 0)
// and not dumpable (prctl PR_SET_DUMPABLE 0: no core, no ptrace attach by the
// same user, /proc/PID/mem closed to others). 0, or the errno of the failing call.
int sb_disable_core_dumps(void);
// The soft RLIMIT_MEMLOCK in bytes: 1 and *bytes when finite, 0 when unlimited or unknown.
int sb_memlock_limit(uint64_t *bytes);

// fallocate(2) on Linux (0, or the errno); EOPNOTSUPP elsewhere.
int sb_reserve_file_space(int fd, int64_t length);

#endif
