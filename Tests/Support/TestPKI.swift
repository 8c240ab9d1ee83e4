import Foundation
import SealedBidPrimitives

/// A throwaway national-PKI-like hierarchy made with the `openssl` command at
/// test time (committed fixtures would carry the clock of the machine that
/// made them): root -> issuing CA -> bidder leaf, plus an unrelated root.
public struct TestPKI {
    public let directory: URL
    public let root: X509Certificate
    public let intermediate: X509Certificate
    public let leaf: X509Certificate
    public let otherRoot: X509Certificate
    public let leafKeyPEM: String

    public func pem(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    public struct OpenSSLFailed: Error, CustomStringConvertible {
        public let description: String
    }

    public static func openssl(_ arguments: [String], in directory: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw OpenSSLFailed(description: "openssl \(arguments.joined(separator: " "))")
        }
    }

    public static func make() throws -> TestPKI {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sealbid-pki-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try """
        [ca]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,keyCertSign,cRLSign
        [leaf]
        basicConstraints = critical,CA:FALSE
        keyUsage = critical,digitalSignature
        [tsa]
        basicConstraints = critical,CA:FALSE
        keyUsage = critical,digitalSignature,nonRepudiation
        extendedKeyUsage = critical,timeStamping
        [tsa_noncritical]
        basicConstraints = critical,CA:FALSE
        keyUsage = critical,digitalSignature,nonRepudiation
        extendedKeyUsage = timeStamping
        """.write(to: dir.appendingPathComponent("ext.cnf"), atomically: true, encoding: .utf8)
        for name in ["root", "inter", "leaf", "other", "tsa", "tsa2"] {
            try openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "\(name).key"], in: dir)
        }
        for (name, subject) in [("root", "/CN=Test National Root"), ("other", "/CN=Unrelated Root")] {
            try openssl(
                ["req", "-new", "-x509", "-key", "\(name).key", "-subj", subject, "-days", "30", "-sha256",
                 "-extensions", "ca", "-config", "ext.cnf", "-out", "\(name).pem"], in: dir)
        }
        try openssl(["req", "-new", "-key", "inter.key", "-subj", "/CN=Test Issuing CA", "-out", "inter.csr"], in: dir)
        try openssl(
            ["x509", "-req", "-in", "inter.csr", "-CA", "root.pem", "-CAkey", "root.key", "-CAcreateserial", "-days", "20",
             "-sha256", "-extfile", "ext.cnf", "-extensions", "ca", "-out", "inter.pem"], in: dir)
        try openssl(["req", "-new", "-key", "leaf.key", "-subj", "/CN=PT Contoh Bidder", "-out", "leaf.csr"], in: dir)
        try openssl(
            ["x509", "-req", "-in", "leaf.csr", "-CA", "inter.pem", "-CAkey", "inter.key", "-CAcreateserial", "-days", "10",
             "-sha256", "-extfile", "ext.cnf", "-extensions", "leaf", "-out", "leaf.pem"], in: dir)
        for (name, ext, subject) in [("tsa", "tsa", "/CN=Test TSA"), ("tsa2", "tsa_noncritical", "/CN=Lax TSA")] {
            try openssl(["req", "-new", "-key", "\(name).key", "-subj", subject, "-out", "\(name).csr"], in: dir)
            try openssl(
                ["x509", "-req", "-in", "\(name).csr", "-CA", "root.pem", "-CAkey", "root.key", "-CAcreateserial", "-days", "10",
                 "-sha256", "-extfile", "ext.cnf", "-extensions", ext, "-out", "\(name).pem"], in: dir)
        }
        func load(_ name: String) throws -> X509Certificate {
            let pem = try String(contentsOf: dir.appendingPathComponent("\(name).pem"), encoding: .utf8)
            guard let cert = try X509Certificate.certificates(pem: pem).first else {
                throw OpenSSLFailed(description: "no certificate in \(name).pem")
            }
            return cert
        }
        return TestPKI(
            directory: dir, root: try load("root"), intermediate: try load("inter"), leaf: try load("leaf"),
            otherRoot: try load("other"),
            leafKeyPEM: try String(contentsOf: dir.appendingPathComponent("leaf.key"), encoding: .utf8))
    }

    public func remove() { try? FileManager.default.removeItem(at: directory) }
}
