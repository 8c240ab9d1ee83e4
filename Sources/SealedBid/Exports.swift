// `import SealedBid` is enough for the facade's own signatures: the identifiers, bids and
// statements (envelope-v1), committee keys and shares (committee-v1), and receipts, checkpoints
// and log stores (receipts-v1). The primitives (`SealedBidPrimitives`, `SealedBidHPKE`) are not
// re-exported: their `SHA256` and `HPKE` would clash with swift-crypto's in a target that
// imports both; import them by name where needed.
@_exported import SealedBidCommittee
@_exported import SealedBidEnvelope
@_exported import SealedBidLog
