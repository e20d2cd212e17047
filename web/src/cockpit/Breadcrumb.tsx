import { useTranslation } from 'react-i18next';
import { useJurisdiction } from '../api/queries.ts';
import { placeName } from '../i18n.ts';
import { isWithin, pathCodes } from './drill.ts';

/** 重庆市 › 渝中区 › 解放碑街道: levels above the user's scope are shown but not selectable. */
export function Breadcrumb({
  path,
  scopePath,
  onSelect,
}: {
  path: string;
  scopePath: string;
  onSelect: (code: string) => void;
}) {
  const { t } = useTranslation();
  const codes = pathCodes(path);
  return (
    <nav className="breadcrumb" aria-label={t('cockpit.breadcrumb')}>
      <ol>
        {codes.map((code, i) => {
          const nodePath = codes.slice(0, i + 1).join('/');
          return (
            <Crumb
              key={code}
              code={code}
              current={i === codes.length - 1}
              reachable={isWithin(nodePath, scopePath)}
              onSelect={onSelect}
            />
          );
        })}
      </ol>
    </nav>
  );
}

function Crumb({
  code,
  current,
  reachable,
  onSelect,
}: {
  code: string;
  current: boolean;
  reachable: boolean;
  onSelect: (code: string) => void;
}) {
  const { i18n } = useTranslation();
  const node = useJurisdiction(code);
  const name = node.data ? placeName(node.data, i18n.language) : code;
  if (current) {
    return (
      <li>
        <span aria-current="page" className="crumb-current">
          {name}
        </span>
      </li>
    );
  }
  return (
    <li>
      {reachable ? (
        <a
          href={`?at=${code}`}
          onClick={(e) => {
            e.preventDefault();
            onSelect(code);
          }}
        >
          {name}
        </a>
      ) : (
        <span className="crumb-above">{name}</span>
      )}
    </li>
  );
}
