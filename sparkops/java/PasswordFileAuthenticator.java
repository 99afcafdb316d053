package sparkops.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import javax.security.sasl.AuthenticationException;

import org.apache.hive.service.auth.PasswdAuthenticationProvider;

/**
 * HiveServer2 CUSTOM authentication for `sparkops serve --auth password`: accepts a user whose
 * password's SHA-256 (hex) is on a `user:sha256` line of the file named by the environment
 * variable SPARKOPS_SERVE_PASSWORDS. The file is read at every login, so users can be added or
 * removed while the server runs; the comparison takes the same time whatever matches.
 */
public class PasswordFileAuthenticator implements PasswdAuthenticationProvider {
    @Override
    public void Authenticate(String user, String password) throws AuthenticationException {
        String file = System.getenv("SPARKOPS_SERVE_PASSWORDS");
        if (file == null || user == null || password == null) {
            throw new AuthenticationException("sparkops: no password file, user or password");
        }
        byte[] given = sha256(password);
        List<String> lines;
        try {
            lines = Files.readAllLines(Paths.get(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AuthenticationException("sparkops: cannot read the password file", e);
        }
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon <= 0 || !line.substring(0, colon).equals(user)) {
                continue;
            }
            byte[] want = hex(line.substring(colon + 1).trim());
            if (want != null && MessageDigest.isEqual(want, given)) {
                return;
            }
        }
        throw new AuthenticationException("sparkops: wrong user name or password");
    }

    private static byte[] sha256(String text) throws AuthenticationException {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new AuthenticationException("sparkops: no SHA-256", e);
        }
    }

    private static byte[] hex(String s) {
        if (s.length() != 64) {
            return null;
        }
        byte[] out = new byte[32];
        for (int i = 0; i < 32; i++) {
            int hi = Character.digit(s.charAt(2 * i), 16), lo = Character.digit(s.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                return null;
            }
            out[i] = (byte) ((hi << 4) | lo);
        }
        return out;
    }
}
