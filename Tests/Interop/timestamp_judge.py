"""rfc3161-client (PyPI) as an independent judge of SealedBid's RFC 3161 tokens.

Usage: timestamp_judge.py RESPONSE_DER_PATH DIGEST_HEX NONCE_DECIMAL ROOT_PEM_PATH TSA_PEM_PATH
Prints {"ok": true} when the response verifies for the digest and nonce, else {"ok": false, "error": ...}.
"""
import json
import sys

from cryptography import x509
from rfc3161_client import VerifierBuilder, decode_timestamp_response


def main(argv):
    response_path, digest_hex, nonce, root_path, tsa_path = argv[1:6]
    response = decode_timestamp_response(open(response_path, "rb").read())
    root = x509.load_pem_x509_certificate(open(root_path, "rb").read())
    tsa = x509.load_pem_x509_certificate(open(tsa_path, "rb").read())
    verifier = VerifierBuilder(roots=[root], tsa_certificate=tsa, nonce=int(nonce)).build()
    try:
        verifier.verify(response, bytes.fromhex(digest_hex))
        print(json.dumps({"ok": True}))
    except Exception as error:  # the judge reports any refusal
        print(json.dumps({"ok": False, "error": str(error)}))
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv)
