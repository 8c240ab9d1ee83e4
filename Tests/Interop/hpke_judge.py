"""An independent HPKE implementation (pyhpke) as a judge for SealedBid.

Usage (all values hex, one JSON object out):
  hpke_judge.py seal PKR INFO AAD PT      -> {"enc": ..., "ct": ...}
  hpke_judge.py open SKR ENC INFO AAD CT  -> {"pt": ...}
Suite: DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-256-GCM, mode_base.
"""
import json
import sys

from pyhpke import AEADId, CipherSuite, KDFId, KEMId

SUITE = CipherSuite.new(KEMId.DHKEM_P256_HKDF_SHA256, KDFId.HKDF_SHA256, AEADId.AES256_GCM)


def main(argv):
    op, args = argv[1], [bytes.fromhex(a) for a in argv[2:]]
    if op == "seal":
        pkr, info, aad, pt = args
        enc, sender = SUITE.create_sender_context(SUITE.kem.deserialize_public_key(pkr), info=info)
        print(json.dumps({"enc": enc.hex(), "ct": sender.seal(pt, aad=aad).hex()}))
    elif op == "open":
        skr, enc, info, aad, ct = args
        recipient = SUITE.create_recipient_context(enc, SUITE.kem.deserialize_private_key(skr), info=info)
        print(json.dumps({"pt": recipient.open(ct, aad=aad).hex()}))
    else:
        raise SystemExit(f"unknown operation {op}")


if __name__ == "__main__":
    main(sys.argv)
