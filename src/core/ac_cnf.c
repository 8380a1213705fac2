/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * A token's confirmation claim (cnf, RFC 7800): the key of DPoP proofs it
 * is bound to (jkt, RFC 9449 §6) and the TLS client certificate
 * (x5t#S256, RFC 8705 §3), checked on every request, cached verdict or
 * not (docs/bearer.md, "DPoP and mTLS-bound tokens").
 */
#include "ac_bearer.h"
#include "ac_util.h"

#include <apr_strings.h>
#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

/* RFC 8705 §3.1: base64url SHA-256 of the certificate's DER. */
static const char *x5t_s256(const char *pem, apr_pool_t *p)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    const char *out = NULL;

    if (x && X509_digest(x, EVP_sha256(), md, &n)) {
        out = ac_base64url_encode(p, md, n);
    }
    X509_free(x);
    BIO_free(bio);
    ERR_clear_error();
    return out;
}

int ac_bearer_confirmed(const ac_identity *id, const ac_request *req,
                        const char *jkt, const char **why, int *proof_error,
                        apr_pool_t *p)
{
    const char *text = id && id->claims
                       ? apr_hash_get(id->claims, "cnf", APR_HASH_KEY_STRING)
                       : NULL;
    const char *bound_jkt, *x5t, *mine;
    json_t *cnf;
    int ok = 1;

    *proof_error = 0;
    if (!text) {
        if (jkt) {
            *why = "token is not bound to a DPoP key";
            return 0;
        }
        return 1;
    }
    cnf = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(cnf)) {
        json_decref(cnf);
        *why = "token has a malformed cnf claim";
        return 0;
    }
    bound_jkt = json_string_value(json_object_get(cnf, "jkt"));
    x5t = json_string_value(json_object_get(cnf, "x5t#S256"));
    if ((json_object_get(cnf, "jkt") && !bound_jkt)
        || (json_object_get(cnf, "x5t#S256") && !x5t)) {
        *why = "token has a malformed cnf claim";
        ok = 0;
    }
    /* RFC 9449 §7.1: a DPoP-bound token only with a proof of its key */
    else if (bound_jkt && !jkt) {
        *why = "token is bound to a DPoP key: send it with the DPoP scheme "
               "and a proof";
        ok = 0;
    }
    else if (jkt && !bound_jkt) {
        *why = "token is not bound to a DPoP key";
        ok = 0;
    }
    else if (jkt && !ac_ct_streq(jkt, bound_jkt)) {
        *why = "DPoP proof key is not the key the token is bound to";
        *proof_error = 1;
        ok = 0;
    }
    /* RFC 8705 §3: a certificate-bound token only over a TLS connection
     * with that client certificate */
    if (ok && x5t) {
        const char *pem = req->client_cert
                          ? req->client_cert(req->client_cert_ctx, p) : NULL;

        mine = pem ? x5t_s256(pem, p) : NULL;
        if (!mine || !ac_ct_streq(mine, x5t)) {
            *why = mine ? "token is bound to another TLS client certificate"
                        : "token is bound to a TLS client certificate and "
                          "the connection has none";
            ok = 0;
        }
    }
    json_decref(cnf);
    return ok;
}
