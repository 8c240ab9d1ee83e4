// See include/SealedBidShims.h. OPENSSL_SUPPRESS_DEPRECATED is set only so
// that EC_POINTs_mul (public-value multi-scalar multiplication) compiles.
#define _GNU_SOURCE 1 // timegm, fallocate
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "SealedBidShims.h"

#include <string.h>
#include <errno.h>
#include <fcntl.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <openssl/ts.h>
#include <openssl/pem.h>
#include <openssl/bio.h>

static CRYPTO_ONCE fetch_once = CRYPTO_ONCE_STATIC_INIT;
static EVP_MD *fetched_sha256;
static EVP_KDF *fetched_hkdf;
static EVP_CIPHER *fetched_gcm128, *fetched_gcm192, *fetched_gcm256;

static void fetch_all(void) {
    fetched_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    fetched_hkdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    fetched_gcm128 = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
    fetched_gcm192 = EVP_CIPHER_fetch(NULL, "AES-192-GCM", NULL);
    fetched_gcm256 = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
}

static int ensure_fetched(void) {
    return CRYPTO_THREAD_run_once(&fetch_once, fetch_all) == 1;
}

const EVP_MD *sb_sha256(void) {
    return ensure_fetched() ? fetched_sha256 : NULL;
}

const EVP_CIPHER *sb_aes_gcm(size_t key_bytes) {
    if (!ensure_fetched()) return NULL;
    switch (key_bytes) {
    case 16: return fetched_gcm128;
    case 24: return fetched_gcm192;
    case 32: return fetched_gcm256;
    default: return NULL;
    }
}

// OSSL_PARAM octet strings may not point at NULL even when empty.
static const unsigned char empty_byte = 0;
static void *nonnull(const void *p) { return (void *)(p ? p : &empty_byte); }

static int hkdf_derive(int mode, const void *salt, size_t salt_len,
                       const void *key, size_t key_len,
                       const void *info, size_t info_len,
                       void *out, size_t out_len) {
    if (!ensure_fetched() || fetched_hkdf == NULL) { ERR_clear_error(); return 0; }
    EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(fetched_hkdf);
    if (kctx == NULL) { ERR_clear_error(); return 0; }
    OSSL_PARAM params[6];
    size_t n = 0;
    params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, nonnull(key), key_len);
    if (mode == EVP_KDF_HKDF_MODE_EXTRACT_ONLY) {
        params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, nonnull(salt), salt_len);
    } else {
        params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, nonnull(info), info_len);
    }
    params[n] = OSSL_PARAM_construct_end();
    int ok = EVP_KDF_derive(kctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(kctx);
    if (!ok) ERR_clear_error();
    return ok;
}

int sb_hkdf_sha256_extract(const void *salt, size_t salt_len,
                           const void *ikm, size_t ikm_len, void *prk_out) {
    // RFC 5869 2.2: an absent salt is HashLen zero bytes; OpenSSL's empty salt
    // is equivalent because HMAC pads the key with zeros.
    return hkdf_derive(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, salt, salt_len, ikm, ikm_len,
                       NULL, 0, prk_out, 32);
}

int sb_hkdf_sha256_expand(const void *prk, size_t prk_len,
                          const void *info, size_t info_len,
                          void *out, size_t out_len) {
    if (out_len == 0 || out_len > 255 * 32) return 0;
    return hkdf_derive(EVP_KDF_HKDF_MODE_EXPAND_ONLY, NULL, 0, prk, prk_len,
                       info, info_len, out, out_len);
}

int sb_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
                   void *mac_out) {
    const EVP_MD *md = sb_sha256();
    if (md == NULL || key_len > INT32_MAX) return 0;
    unsigned int len = 0;
    unsigned char *r = HMAC(md, nonnull(key), (int)key_len, nonnull(msg), msg_len,
                            mac_out, &len);
    if (r == NULL) ERR_clear_error();
    return r != NULL && len == 32;
}

int sb_spki_p256_point(const void *der, size_t der_len,
                       void *point_out, size_t point_cap, size_t *point_len) {
    if (der_len == 0 || der_len > 4096) return SB_SPKI_BAD_DER;
    const unsigned char *p = der;
    EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)der_len);
    if (pkey == NULL) return SB_SPKI_BAD_DER;
    int status = SB_SPKI_OK;
    char group[64] = {0};
    char encoding[32] = {0};
    size_t glen = 0, elen = 0;
    unsigned char *again = NULL;
    int again_len = 0;
    if ((size_t)(p - (const unsigned char *)der) != der_len) {
        status = SB_SPKI_TRAILING_DATA;
    } else if ((again_len = i2d_PUBKEY(pkey, &again)) <= 0 || (size_t)again_len != der_len ||
               memcmp(again, der, der_len) != 0) {
        // BER (long-form lengths, padded integers, ...) parses but does not
        // re-encode to the same bytes: only DER is accepted.
        status = SB_SPKI_NOT_DER;
    } else if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC) {
        status = SB_SPKI_NOT_EC;
    } else if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_ENCODING,
                                              encoding, sizeof encoding, &elen) != 1 ||
               strcmp(encoding, OSSL_PKEY_EC_ENCODING_GROUP) != 0) {
        status = SB_SPKI_EXPLICIT_PARAMETERS;
    } else if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
                                              group, sizeof group, &glen) != 1 ||
               strcmp(group, "prime256v1") != 0) {
        status = SB_SPKI_WRONG_CURVE;
    } else if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY,
                                               point_out, point_cap, point_len) != 1) {
        status = SB_SPKI_INTERNAL;
    }
    OPENSSL_free(again);
    EVP_PKEY_free(pkey);
    ERR_clear_error();
    return status;
}

int sb_ecdsa_p256_sha256_verify(const void *spki_der, size_t spki_len,
                                const void *msg, size_t msg_len,
                                const void *sig_der, size_t sig_len) {
    const unsigned char *p = spki_der;
    EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)spki_len);
    if (pkey == NULL) return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int result = -1;
    if (ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, sb_sha256(), NULL, pkey) == 1) {
        int r = EVP_DigestVerify(ctx, sig_der, sig_len, nonnull(msg), msg_len);
        result = r == 1 ? 1 : 0;
    }
    ERR_clear_error();
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    return result;
}

int sb_is_p256_key(EVP_PKEY *key) {
    char group[64] = {0};
    size_t glen = 0;
    int ok = key != NULL && EVP_PKEY_get_base_id(key) == EVP_PKEY_EC &&
             EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &glen) == 1 &&
             strcmp(group, "prime256v1") == 0;
    ERR_clear_error();
    return ok;
}

// A decoded private key takes the public key written in the file as it is: it must belong to
// the private key (EVP_PKEY_pairwise_check), or the key is freed and NULL returned.
static EVP_PKEY *pairwise_consistent(EVP_PKEY *pkey) {
    if (pkey == NULL) return NULL;
    EVP_PKEY_CTX *check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    int consistent = check != NULL && EVP_PKEY_pairwise_check(check) == 1;
    EVP_PKEY_CTX_free(check);
    if (!consistent) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    return pkey;
}

EVP_PKEY *sb_ecdsa_p256_private_key_from_der(const void *der, size_t der_len) {
    if (der_len == 0 || der_len > 4096) return NULL;
    const unsigned char *p = der;
    EVP_PKEY *pkey = d2i_AutoPrivateKey(NULL, &p, (long)der_len);
    if (pkey != NULL && ((size_t)(p - (const unsigned char *)der) != der_len || !sb_is_p256_key(pkey))) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    pkey = pairwise_consistent(pkey);
    ERR_clear_error();
    return pkey;
}

// Refuses encrypted PEM instead of OpenSSL's default of prompting on the terminal.
static int no_pass_phrase(char *buf, int size, int rwflag, void *u) {
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

EVP_PKEY *sb_private_key_from_pem(const void *pem, size_t pem_len) {
    if (pem == NULL || pem_len == 0 || pem_len > (1u << 20)) return NULL;
    BIO *bio = BIO_new_mem_buf(pem, (int)pem_len);
    EVP_PKEY *pkey = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, no_pass_phrase, NULL) : NULL;
    BIO_free(bio);
    pkey = pairwise_consistent(pkey);
    ERR_clear_error();
    return pkey;
}

int sb_ecdsa_p256_public_point(EVP_PKEY *key, void *out65) {
    size_t len = 0;
    unsigned char *buf = NULL;
    len = EVP_PKEY_get1_encoded_public_key(key, &buf);
    int ok = len == 65 && buf != NULL && buf[0] == 0x04;
    if (ok) memcpy(out65, buf, 65);
    OPENSSL_free(buf);
    return ok;
}

int sb_ecdsa_p256_sha256_sign(EVP_PKEY *key, const void *msg, size_t msg_len,
                              void *sig_der, size_t cap, size_t *sig_len) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = 0;
    size_t len = cap;
    if (ctx != NULL && EVP_DigestSignInit(ctx, NULL, sb_sha256(), NULL, key) == 1 &&
        EVP_DigestSign(ctx, sig_der, &len, nonnull(msg), msg_len) == 1) {
        *sig_len = len;
        ok = 1;
    }
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return ok;
}

int sb_ecdsa_sig_from_der(const void *der, size_t der_len, void *r_out, void *s_out) {
    if (der_len == 0 || der_len > 256) return 0;
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    if (sig == NULL) { ERR_clear_error(); return 0; }
    int ok = 0;
    unsigned char *again = NULL;
    int again_len = i2d_ECDSA_SIG(sig, &again);
    if ((size_t)(p - (const unsigned char *)der) == der_len && again_len > 0 &&
        (size_t)again_len == der_len && memcmp(again, der, der_len) == 0) {
        const BIGNUM *r = NULL, *s = NULL;
        ECDSA_SIG_get0(sig, &r, &s);
        ok = !BN_is_negative(r) && !BN_is_negative(s) &&
             BN_num_bytes(r) <= 32 && BN_num_bytes(s) <= 32 &&
             BN_bn2binpad(r, r_out, 32) == 32 && BN_bn2binpad(s, s_out, 32) == 32;
    }
    OPENSSL_free(again);
    ECDSA_SIG_free(sig);
    ERR_clear_error();
    return ok;
}

int sb_ecdsa_sig_to_der(const void *r, const void *s, void *der_out, size_t der_cap, size_t *der_len) {
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *br = BN_bin2bn(r, 32, NULL), *bs = BN_bin2bn(s, 32, NULL);
    int ok = 0;
    if (sig != NULL && br != NULL && bs != NULL && ECDSA_SIG_set0(sig, br, bs) == 1) {
        br = bs = NULL; // owned by sig now
        int len = i2d_ECDSA_SIG(sig, NULL);
        if (len > 0 && (size_t)len <= der_cap) {
            unsigned char *out = der_out;
            ok = i2d_ECDSA_SIG(sig, &out) == len;
            *der_len = (size_t)len;
        }
    }
    BN_free(br);
    BN_free(bs);
    ECDSA_SIG_free(sig);
    return ok;
}

X509 *sb_x509_from_der(const void *der, size_t der_len) {
    if (der_len == 0 || der_len > (1u << 20)) return NULL;
    const unsigned char *p = der;
    X509 *cert = d2i_X509(NULL, &p, (long)der_len);
    if (cert != NULL && (size_t)(p - (const unsigned char *)der) != der_len) {
        X509_free(cert);
        cert = NULL;
    }
    ERR_clear_error();
    return cert;
}

int sb_x509_verify_chain(X509 *leaf, X509 *const *intermediates, size_t intermediate_count,
                         X509 *const *roots, size_t root_count, int64_t at_time,
                         int *verify_error) {
    *verify_error = X509_V_ERR_UNSPECIFIED;
    X509_STORE *store = X509_STORE_new();
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    int ok = 0;
    if (store == NULL || untrusted == NULL || ctx == NULL) goto done;
    for (size_t i = 0; i < root_count; i++) {
        if (X509_STORE_add_cert(store, roots[i]) != 1) goto done;
    }
    for (size_t i = 0; i < intermediate_count; i++) {
        if (sk_X509_push(untrusted, intermediates[i]) <= 0) goto done;
    }
    if (X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1) goto done;
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set_time(param, (time_t)at_time);
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
    ok = X509_verify_cert(ctx) == 1;
    *verify_error = ok ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
done:
    X509_STORE_CTX_free(ctx);
    sk_X509_free(untrusted); // the certificates stay owned by the caller
    X509_STORE_free(store);
    ERR_clear_error();
    return ok;
}

int sb_x509_spki_der(X509 *cert, void *out, size_t cap, size_t *out_len) {
    return sb_public_key_spki_der(X509_get0_pubkey(cert), out, cap, out_len);
}

int sb_public_key_spki_der(EVP_PKEY *pkey, void *out, size_t cap, size_t *out_len) {
    if (pkey == NULL) return 0;
    int len = i2d_PUBKEY(pkey, NULL);
    if (len <= 0 || (size_t)len > cap) return 0;
    unsigned char *p = out;
    if (i2d_PUBKEY(pkey, &p) != len) return 0;
    *out_len = (size_t)len;
    return 1;
}

int sb_x509_validity(X509 *cert, int64_t *not_before, int64_t *not_after) {
    struct tm tm;
    const ASN1_TIME *nb = X509_get0_notBefore(cert), *na = X509_get0_notAfter(cert);
    if (nb == NULL || na == NULL) return 0;
    if (ASN1_TIME_to_tm(nb, &tm) != 1) return 0;
    *not_before = (int64_t)timegm(&tm);
    if (ASN1_TIME_to_tm(na, &tm) != 1) return 0;
    *not_after = (int64_t)timegm(&tm);
    return 1;
}

uint32_t sb_x509_key_usage(X509 *cert) {
    uint32_t usage = X509_get_key_usage(cert);
    ERR_clear_error();
    return usage;
}

int sb_ec_points_mul(const EC_GROUP *group, EC_POINT *r, size_t num,
                     const EC_POINT *const *points, const BIGNUM *const *scalars, BN_CTX *ctx) {
    return EC_POINTs_mul(group, r, NULL, num, (const EC_POINT **)points,
                         (const BIGNUM **)scalars, ctx);
}

// ---- RFC 3161 ---------------------------------------------------------------

static int write_der(unsigned char *der, int len, void *out, size_t cap, size_t *out_len) {
    int ok = der != NULL && len > 0 && (size_t)len <= cap;
    if (ok) {
        memcpy(out, der, (size_t)len);
        *out_len = (size_t)len;
    }
    OPENSSL_free(der);
    return ok;
}

int sb_ts_request(const void *imprint32, uint64_t nonce, void *out, size_t cap, size_t *out_len) {
    TS_REQ *req = TS_REQ_new();
    TS_MSG_IMPRINT *imprint = TS_MSG_IMPRINT_new();
    X509_ALGOR *alg = X509_ALGOR_new();
    ASN1_INTEGER *n = ASN1_INTEGER_new();
    unsigned char *der = NULL;
    int len = -1, ok = 0;
    if (req && imprint && alg && n &&
        X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) == 1 &&
        TS_MSG_IMPRINT_set_algo(imprint, alg) == 1 &&
        TS_MSG_IMPRINT_set_msg(imprint, (unsigned char *)imprint32, 32) == 1 &&
        TS_REQ_set_version(req, 1) == 1 && TS_REQ_set_msg_imprint(req, imprint) == 1 &&
        ASN1_INTEGER_set_uint64(n, nonce) == 1 && TS_REQ_set_nonce(req, n) == 1 &&
        TS_REQ_set_cert_req(req, 1) == 1) {
        len = i2d_TS_REQ(req, &der);
        ok = write_der(der, len, out, cap, out_len);
    }
    ASN1_INTEGER_free(n);
    X509_ALGOR_free(alg);
    TS_MSG_IMPRINT_free(imprint);
    TS_REQ_free(req);
    ERR_clear_error();
    return ok;
}

static int ts_time_cb(TS_RESP_CTX *ctx, void *data, long *sec, long *usec) {
    (void)ctx;
    *sec = (long)*(int64_t *)data;
    *usec = 0;
    return 1;
}
static ASN1_INTEGER *ts_serial_cb(TS_RESP_CTX *ctx, void *data) {
    (void)ctx;
    ASN1_INTEGER *serial = ASN1_INTEGER_new();
    if (serial != NULL) ASN1_INTEGER_set_uint64(serial, *(uint64_t *)data);
    return serial;
}

int sb_ts_respond(const void *request, size_t request_len, X509 *cert, EVP_PKEY *key,
                  int64_t at_time, uint64_t serial, void *out, size_t cap, size_t *out_len) {
    int ok = 0;
    BIO *req_bio = BIO_new_mem_buf(request, (int)request_len);
    TS_RESP_CTX *ctx = TS_RESP_CTX_new();
    ASN1_OBJECT *policy = OBJ_txt2obj("1.2.3.4.1", 1);
    TS_RESP *resp = NULL;
    int64_t when = at_time;
    uint64_t serial_value = serial;
    if (cert && key && ctx && policy && req_bio &&
        TS_RESP_CTX_set_signer_cert(ctx, cert) == 1 && TS_RESP_CTX_set_signer_key(ctx, key) == 1 &&
        TS_RESP_CTX_set_def_policy(ctx, policy) == 1 && TS_RESP_CTX_add_md(ctx, EVP_sha256()) == 1 &&
        TS_RESP_CTX_set_signer_digest(ctx, EVP_sha256()) == 1 &&
        TS_RESP_CTX_set_accuracy(ctx, 1, 0, 0) == 1) {
        TS_RESP_CTX_set_time_cb(ctx, ts_time_cb, &when);
        TS_RESP_CTX_set_serial_cb(ctx, ts_serial_cb, &serial_value);
        TS_RESP_CTX_add_flags(ctx, TS_ESS_CERT_ID_CHAIN);
        resp = TS_RESP_create_response(ctx, req_bio);
        if (resp != NULL) {
            unsigned char *der = NULL;
            int len = i2d_TS_RESP(resp, &der);
            ok = write_der(der, len, out, cap, out_len);
        }
    }
    TS_RESP_free(resp);
    ASN1_OBJECT_free(policy);
    TS_RESP_CTX_free(ctx);  // drops its references to cert and key; the caller keeps its own
    BIO_free(req_bio);
    ERR_clear_error();
    /* Signing made this thread's private DRBG. Responses are signed on pool threads (the
     * portal's actor), which may outlive OpenSSL's exit-time cleanup: free the thread's state now
     * (it is made again on demand) rather than leave it unreachable at exit. */
    OPENSSL_thread_stop();
    return ok;
}

int sb_ts_response_token(const void *response, size_t len, void *out, size_t cap, size_t *out_len) {
    const unsigned char *p = response;
    TS_RESP *resp = d2i_TS_RESP(NULL, &p, (long)len);
    if (resp == NULL || (size_t)(p - (const unsigned char *)response) != len) {
        TS_RESP_free(resp);
        ERR_clear_error();
        return -1;
    }
    int result = 0;
    TS_STATUS_INFO *status = TS_RESP_get_status_info(resp);
    const ASN1_INTEGER *code = status ? TS_STATUS_INFO_get0_status(status) : NULL;
    long status_value = code ? ASN1_INTEGER_get(code) : -1;
    PKCS7 *token = TS_RESP_get_token(resp);
    if ((status_value == 0 || status_value == 1) && token != NULL) {
        unsigned char *der = NULL;
        int der_len = i2d_PKCS7(token, &der);
        result = write_der(der, der_len, out, cap, out_len) ? 1 : -1;
    }
    TS_RESP_free(resp);
    ERR_clear_error();
    return result;
}

static PKCS7 *parse_token(const void *token, size_t len) {
    const unsigned char *p = token;
    PKCS7 *pkcs7 = d2i_PKCS7(NULL, &p, (long)len);
    if (pkcs7 != NULL && (size_t)(p - (const unsigned char *)token) != len) {
        PKCS7_free(pkcs7);
        pkcs7 = NULL;
    }
    return pkcs7;
}

int sb_ts_token_info(const void *token, size_t len, int64_t *gen_time, void *imprint32, uint64_t *nonce,
                     int *has_nonce, uint64_t *serial) {
    PKCS7 *pkcs7 = parse_token(token, len);
    TS_TST_INFO *info = pkcs7 ? PKCS7_to_TS_TST_INFO(pkcs7) : NULL;
    int ok = 0;
    if (info != NULL) {
        struct tm tm;
        const ASN1_GENERALIZEDTIME *t = TS_TST_INFO_get_time(info);
        TS_MSG_IMPRINT *imprint = TS_TST_INFO_get_msg_imprint(info);
        X509_ALGOR *alg = imprint ? TS_MSG_IMPRINT_get_algo(imprint) : NULL;
        ASN1_OCTET_STRING *digest = imprint ? TS_MSG_IMPRINT_get_msg(imprint) : NULL;
        const ASN1_INTEGER *n = TS_TST_INFO_get_nonce(info);
        const ASN1_INTEGER *s = TS_TST_INFO_get_serial(info);
        uint64_t serial_value = 0;
        // RFC 3161 serials may be up to 160 bits: report 0 for those that do not fit 64 bits.
        if (s && ASN1_INTEGER_get_uint64(&serial_value, s) != 1) serial_value = 0;
        if (t && ASN1_TIME_to_tm(t, &tm) == 1 && alg && OBJ_obj2nid(alg->algorithm) == NID_sha256 && digest &&
            ASN1_STRING_length(digest) == 32 && s) {
            *gen_time = (int64_t)timegm(&tm);
            memcpy(imprint32, ASN1_STRING_get0_data(digest), 32);
            *serial = serial_value;
            *has_nonce = n != NULL;
            *nonce = 0;
            ok = n == NULL || ASN1_INTEGER_get_uint64(nonce, n) == 1;
        }
    }
    TS_TST_INFO_free(info);
    PKCS7_free(pkcs7);
    ERR_clear_error();
    return ok;
}

int sb_ts_token_accuracy(const void *token, size_t len, int64_t *micros) {
    PKCS7 *pkcs7 = parse_token(token, len);
    TS_TST_INFO *info = pkcs7 ? PKCS7_to_TS_TST_INFO(pkcs7) : NULL;
    int result = -1;
    if (info != NULL) {
        const TS_ACCURACY *accuracy = TS_TST_INFO_get_accuracy(info);
        if (accuracy == NULL) {
            result = 0;
        } else {
            // Each part is optional; RFC 3161 bounds millis and micros to 1..999.
            const ASN1_INTEGER *parts[3] = {TS_ACCURACY_get_seconds(accuracy), TS_ACCURACY_get_millis(accuracy),
                                            TS_ACCURACY_get_micros(accuracy)};
            const int64_t scale[3] = {1000000, 1000, 1};
            const int64_t limit[3] = {1000000, 999, 999};
            int64_t total = 0;
            result = 1;
            for (int i = 0; i < 3; i++) {
                int64_t value = 0;
                if (parts[i] == NULL) continue;
                if (ASN1_INTEGER_get_int64(&value, parts[i]) != 1 || value < 0 || value > limit[i]) { result = -1; break; }
                total += value * scale[i];
            }
            *micros = total;
        }
    }
    TS_TST_INFO_free(info);
    PKCS7_free(pkcs7);
    ERR_clear_error();
    return result;
}

int sb_ts_verify(const void *token, size_t len, const void *imprint32, uint64_t nonce, int check_nonce,
                 X509 *const *roots, size_t root_count, X509 *const *untrusted, size_t untrusted_count,
                 const char **reason) {
    *reason = "malformed token";
    int64_t gen_time = 0;
    unsigned char token_imprint[32];
    uint64_t token_nonce = 0, serial = 0;
    int has_nonce = 0;
    if (!sb_ts_token_info(token, len, &gen_time, token_imprint, &token_nonce, &has_nonce, &serial)) return 0;
    PKCS7 *pkcs7 = parse_token(token, len);
    TS_VERIFY_CTX *ctx = TS_VERIFY_CTX_new();
    X509_STORE *store = X509_STORE_new();
    X509_VERIFY_PARAM *param = X509_VERIFY_PARAM_new();
    STACK_OF(X509) *extra = sk_X509_new_null();
    unsigned char *imprint_copy = OPENSSL_malloc(32);
    int ok = 0;
    if (!pkcs7 || !ctx || !store || !param || !extra || !imprint_copy) { *reason = "internal error"; goto done; }
    for (size_t i = 0; i < root_count; i++) X509_STORE_add_cert(store, roots[i]);
    for (size_t i = 0; i < untrusted_count; i++) {
        if (sk_X509_push(extra, untrusted[i]) <= 0) { *reason = "internal error"; goto done; }
        X509_up_ref(untrusted[i]);
    }
    // The signer's chain must be valid at the token's own time.
    X509_VERIFY_PARAM_set_time(param, (time_t)gen_time);
    X509_STORE_set1_param(store, param);
    memcpy(imprint_copy, imprint32, 32);
    int flags = TS_VFY_VERSION | TS_VFY_SIGNER | TS_VFY_SIGNATURE | TS_VFY_IMPRINT;
    TS_VERIFY_CTX_set_imprint(ctx, imprint_copy, 32);
    imprint_copy = NULL;  // owned by ctx
    // OpenSSL 3.0 has no TS_VERIFY_CTX nonce setter: compare the parsed nonce here.
    if (check_nonce && !(has_nonce && token_nonce == nonce)) {
        *reason = has_nonce ? "nonce mismatch" : "the token has no nonce";
        goto done;
    }
    TS_VERIFY_CTX_set_flags(ctx, flags);
    TS_VERIFY_CTX_set_store(ctx, store);
    store = NULL;  // owned by ctx
    TS_VERIFY_CTX_set_certs(ctx, extra);
    extra = NULL;  // owned by ctx
    ok = TS_RESP_verify_token(ctx, pkcs7) == 1;
    if (!ok) {
        unsigned long err = ERR_peek_last_error();
        int r = ERR_GET_REASON(err);
        *reason = r == TS_R_NONCE_MISMATCH ? "nonce mismatch"
                : r == TS_R_MESSAGE_IMPRINT_MISMATCH ? "message imprint mismatch"
                : r == TS_R_CERTIFICATE_VERIFY_ERROR ? "TSA certificate does not verify at the token's time"
                : r == TS_R_TSA_UNTRUSTED ? "TSA untrusted"
                : r == TS_R_SIGNATURE_FAILURE ? "signature failure"
                : r == TS_R_ESS_SIGNING_CERTIFICATE_ERROR ? "signing certificate attribute mismatch"
                : "token does not verify";
    }
done:
    OPENSSL_free(imprint_copy);
    sk_X509_pop_free(extra, X509_free);
    X509_STORE_free(store);
    X509_VERIFY_PARAM_free(param);
    TS_VERIFY_CTX_free(ctx);
    PKCS7_free(pkcs7);
    ERR_clear_error();
    return ok;
}

// ---- Memory and process -----------------------------------------------------

#ifdef __linux__
#include <malloc.h>
#include <sys/prctl.h>
#include <sys/resource.h>

static void *wiping_malloc(size_t num, const char *file, int line) {
    (void)file;
    (void)line;
    return malloc(num);
}

static void wiping_free(void *ptr, const char *file, int line) {
    (void)file;
    (void)line;
    if (ptr == NULL) return;
    explicit_bzero(ptr, malloc_usable_size(ptr));
    free(ptr);
}

// realloc that never leaves the old block behind unwiped.
static void *wiping_realloc(void *ptr, size_t num, const char *file, int line) {
    if (ptr == NULL) return malloc(num);
    if (num == 0) {
        wiping_free(ptr, file, line);
        return NULL;
    }
    size_t old = malloc_usable_size(ptr);
    void *fresh = malloc(num);
    if (fresh == NULL) return NULL;  // like realloc: the old block stays valid
    memcpy(fresh, ptr, old < num ? old : num);
    wiping_free(ptr, file, line);
    return fresh;
}

static int wiping_installed, secure_heap;

__attribute__((constructor)) static void install_wiping_allocator(void) {
    wiping_installed = CRYPTO_set_mem_functions(wiping_malloc, wiping_realloc, wiping_free);
    // 256 KiB of OpenSSL secure heap (mlock'ed, guard pages, excluded from core dumps): OpenSSL
    // keeps EC private keys there (about 550 bytes each) and ECDSA nonces while signing. 1 when
    // locked, 2 when mapped but not locked, 0 on failure (then OpenSSL uses its ordinary heap).
    secure_heap = CRYPTO_secure_malloc_init(256 * 1024, 16);
}

int sb_openssl_wipes_freed_memory(void) { return wiping_installed; }
int sb_openssl_secure_heap(void) { return secure_heap; }

int sb_disable_core_dumps(void) {
    struct rlimit none = {0, 0};
    if (setrlimit(RLIMIT_CORE, &none) != 0) return errno;
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return errno;
    return 0;
}

int sb_memlock_limit(uint64_t *bytes) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_MEMLOCK, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 0;
    *bytes = (uint64_t)limit.rlim_cur;
    return 1;
}
#else
int sb_openssl_wipes_freed_memory(void) { return 0; }
int sb_openssl_secure_heap(void) { return 0; }
int sb_disable_core_dumps(void) { return EOPNOTSUPP; }
int sb_memlock_limit(uint64_t *bytes) { (void)bytes; return 0; }
#endif

// ---- Files -------------------------------------------------------------------

int sb_reserve_file_space(int fd, int64_t length) {
#ifdef __linux__
    return fallocate(fd, 0, 0, (off_t)length) == 0 ? 0 : errno;
#else
    (void)fd;
    (void)length;
    return EOPNOTSUPP;
#endif
}
