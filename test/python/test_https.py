"""tritonclient.http over HTTPS (--http-use-ssl), and with mutual TLS (--http-use-ssl-mutual) when NEREID_MUTUAL=1.

  NEREID_HTTPS_URL=127.0.0.1:8000 NEREID_CA=ca.pem NEREID_CLIENT_CERT=client.pem NEREID_CLIENT_KEY=client.key \
    NEREID_MUTUAL=0 .venv/bin/python test/python/test_https.py -v
(test/security/https.test.ts makes the certificates, starts the servers and runs this file.)
"""

import os
import sys
import unittest

import numpy as np
import tritonclient.http as httpclient

URL = os.environ.get("NEREID_HTTPS_URL", "")
if not URL:
    sys.exit("NEREID_HTTPS_URL is not set")
CA = os.environ["NEREID_CA"]
CLIENT = {"certfile": os.environ["NEREID_CLIENT_CERT"], "keyfile": os.environ["NEREID_CLIENT_KEY"]}
MUTUAL = os.environ.get("NEREID_MUTUAL") == "1"


def client(**ssl_options):
    return httpclient.InferenceServerClient(url=URL, ssl=True, ssl_options={"ca_certs": CA, **ssl_options},
                                            connection_timeout=10, network_timeout=10)


class HttpsTest(unittest.TestCase):
    def check_serves(self, c):
        self.assertTrue(c.is_server_ready())
        self.assertEqual(c.get_server_metadata()["name"], "triton")
        a = np.arange(16, dtype=np.float32).reshape(1, 16)
        inputs = [httpclient.InferInput("INPUT0", [1, 16], "FP32"), httpclient.InferInput("INPUT1", [1, 16], "FP32")]
        inputs[0].set_data_from_numpy(a)
        inputs[1].set_data_from_numpy(a, binary_data=False)
        result = c.infer("add_sub", inputs)
        np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), 2 * a)

    def test_serves_a_client_that_trusts_the_ca(self):
        c = client(**(CLIENT if MUTUAL else {}))
        try:
            self.check_serves(c)
        finally:
            c.close()

    def test_refuses_a_client_that_does_not_trust_the_server(self):
        c = httpclient.InferenceServerClient(url=URL, ssl=True, connection_timeout=10, network_timeout=10)
        try:
            with self.assertRaises(Exception) as cm:
                c.is_server_live()
            self.assertIn("CERTIFICATE_VERIFY_FAILED", str(cm.exception))
        finally:
            c.close()

    @unittest.skipUnless(MUTUAL, "only with --http-use-ssl-mutual")
    def test_mutual_tls_refuses_a_client_without_a_certificate(self):
        c = client()
        try:
            with self.assertRaises(Exception):
                c.is_server_live()
        finally:
            c.close()


if __name__ == "__main__":
    unittest.main()
