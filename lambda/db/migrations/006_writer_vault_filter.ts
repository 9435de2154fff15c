/**
 * The batch write seals into the vault only the values of the login rows it
 * inserted, which it reads from its own RETURNING: the writer may read those
 * two token columns of user_logins (tokens, not PII; analysts read them too).
 */
export const sql = `
GRANT SELECT (masked_ip, masked_device_id) ON user_logins TO login_etl_writer;
`;
