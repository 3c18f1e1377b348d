/**
 * Email templates: pure functions from data to subject, text and HTML. Every interpolated value is escaped for
 * HTML; links appear verbatim in the text part so any mail client can follow them.
 */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

interface LinkEmail {
  organizationName: string;
  link: string;
  expiresInMinutes: number;
}

export function magicLinkLoginEmail(data: LinkEmail): RenderedEmail {
  return linkEmail({
    subject: `Log in to ${data.organizationName}`,
    intro: `Click the link below to log in to ${data.organizationName}.`,
    action: "Log in",
    ...data,
  });
}

export function magicLinkSignupEmail(data: LinkEmail): RenderedEmail {
  return linkEmail({
    subject: `Finish signing up for ${data.organizationName}`,
    intro: `Click the link below to confirm your email address and join ${data.organizationName}.`,
    action: "Sign up",
    ...data,
  });
}

/** An invitation to join an organization; names the inviter when the invite call said who it was. */
export function inviteEmail(data: LinkEmail & { invitedBy: string | null }): RenderedEmail {
  const who = data.invitedBy ? `${data.invitedBy} has invited you` : "You have been invited";
  return linkEmail({
    subject: `You're invited to join ${data.organizationName}`,
    intro: `${who} to join ${data.organizationName}. Click the link below to accept the invitation.`,
    action: "Accept invitation",
    ...data,
  });
}

/**
 * The discovery email: proves the address, then lets the person pick (or create) an organization. It names the
 * project (the app), since it is not about one organization.
 */
export function discoveryEmail(data: {
  appName: string;
  link: string;
  expiresInMinutes: number;
}): RenderedEmail {
  return linkEmail({
    subject: `Log in to ${data.appName}`,
    intro: `Click the link below to log in to ${data.appName}. You can then choose which of your organizations to continue to.`,
    action: "Log in",
    organizationName: data.appName,
    link: data.link,
    expiresInMinutes: data.expiresInMinutes,
  });
}

export function passwordResetEmail(data: LinkEmail & { loginLink: string | null }): RenderedEmail {
  const email = linkEmail({
    subject: `Reset your ${data.organizationName} password`,
    intro: `Someone asked to reset the password of your ${data.organizationName} account. If it was you, click the link below to choose a new password. If it was not, you can ignore this email: your password has not changed.`,
    action: "Reset password",
    ...data,
  });
  return withLoginLink(email, data.loginLink);
}

/**
 * The cross-org password reset (passwords/discovery/email/reset/start): the password is the person's in every
 * organization of the app, so the email names the project, like the discovery email. The optional second link
 * is a discovery magic link.
 */
export function discoveryPasswordResetEmail(data: {
  appName: string;
  link: string;
  loginLink: string | null;
  expiresInMinutes: number;
}): RenderedEmail {
  const email = linkEmail({
    subject: `Reset your ${data.appName} password`,
    intro: `Someone asked to reset your ${data.appName} password, which you use in all of your organizations. If it was you, click the link below to choose a new password. If it was not, you can ignore this email: your password has not changed.`,
    action: "Reset password",
    organizationName: data.appName,
    link: data.link,
    expiresInMinutes: data.expiresInMinutes,
  });
  return withLoginLink(email, data.loginLink);
}

/** Appends the "log in without a password" link of a reset email, when there is one. */
function withLoginLink(email: RenderedEmail, loginLink: string | null): RenderedEmail {
  if (!loginLink) return email;
  return {
    subject: email.subject,
    text: `${email.text}\nOr log in without a password:\n${loginLink}\n`,
    html: email.html.replace(
      "</body>",
      `<p>Or <a href="${escapeHtml(loginLink)}">log in without a password</a>.</p></body>`,
    ),
  };
}

function linkEmail(d: LinkEmail & { subject: string; intro: string; action: string }): RenderedEmail {
  const expiry =
    d.expiresInMinutes >= 2 * 1440
      ? `${Math.round(d.expiresInMinutes / 1440)} days`
      : d.expiresInMinutes >= 120
        ? `${Math.round(d.expiresInMinutes / 60)} hours`
        : `${d.expiresInMinutes} minutes`;
  const text = `${d.intro}\n\n${d.action}:\n${d.link}\n\nThis link can be used once and expires in ${expiry}.\n`;
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5">
<p>${escapeHtml(d.intro)}</p>
<p><a href="${escapeHtml(d.link)}" style="display:inline-block;padding:10px 18px;background:#1f4fd8;color:#fff;border-radius:6px;text-decoration:none">${escapeHtml(d.action)}</a></p>
<p style="color:#555;font-size:13px">This link can be used once and expires in ${expiry}.</p>
</body></html>`;
  return { subject: d.subject, text, html };
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
