package org.ldapbalancer.config;

/**
 * The SASL part of {@code bindconf bindmethod=sasl}; the password is {@code credentials} of the
 * {@link BindConf}.
 *
 * @param mechanism {@code saslmech}, e.g. {@code PLAIN}, {@code DIGEST-MD5}, {@code EXTERNAL}
 * @param authcid {@code authcid}: the authentication identity, empty for none (EXTERNAL)
 * @param authzid {@code authzid}: the identity to act as ({@code dn:...}, {@code u:...}), empty for
 *     the authentication identity itself
 * @param realm {@code realm}, empty for the server's default
 */
public record SaslBind(String mechanism, String authcid, String authzid, String realm) {}
