'use client';
// The stock view's model kinds (predict({ model })): a toggle per kind the symbol is served by
// (modelInfo(symbol).models, so the list is the manifest's), each kind's forecast at the selected
// horizon beside its test-year MAPE and naive's, and the ensemble's member weights as bars.
import { fmtMape, fmtPct, fmtPrice, fmtSignedPct, signClass } from '../lib/format';

// One colour per kind, by its place in the manifest's list (the routed LSTM keeps the chart's blue).
const PALETTE = [[36, 87, 197], [201, 110, 22], [46, 139, 87], [142, 68, 173], [192, 57, 43], [22, 160, 170], [127, 140, 20], [110, 90, 60], [210, 84, 140], [90, 90, 90]];
export const kindColor = (i, alpha = 1) => `rgba(${PALETTE[i % PALETTE.length].join(',')},${alpha})`;
export const kindLabel = (kind) => kind.replace(/_/g, ' ');

export function KindToggles({ kinds, shown, states, onToggle }) {
  return (
    <fieldset id="model-kinds" className="kinds">
      <legend>Models on the chart</legend>
      {kinds.map((k, i) => {
        const st = states[k.model];
        const base = k.servedBy === 'routed'; // the routed LSTM: the forecast above, always drawn
        return (
          <label key={k.model} className="kind-toggle" data-kind={k.model} data-state={base ? 'ready' : st ? st.status : 'off'}>
            <input type="checkbox" name="model-kind" value={k.model} checked={base || shown.includes(k.model)} disabled={base} onChange={(ev) => onToggle(k.model, ev.target.checked)} />
            <span className="swatch" aria-hidden="true" style={{ background: kindColor(i) }} />
            {kindLabel(k.model)}
            {st && st.status === 'loading' && <span className="fine"> (loading…)</span>}
            {st && st.status === 'error' && <span className="fine bad" title={st.error.message}> ({st.error.code})</span>}
          </label>
        );
      })}
    </fieldset>
  );
}

// Each drawn kind at the selected horizon: forecast, interval, return, test-year MAPE vs naive.
export function KindTable({ rows, horizon }) {
  if (rows.length < 2) return null;
  return (
    <div className="scroll" tabIndex={0} role="region" aria-label="Forecast by model kind">
      <table id="kinds-table">
        <caption className="fine">{`Every model drawn, at ${horizon} (test-year MAPE of that model, naive beside it)`}</caption>
        <thead>
          <tr>
            <th scope="col">Model</th><th scope="col" className="num">Predicted</th><th scope="col" className="num">Interval</th>
            <th scope="col" className="num">Return</th><th scope="col" className="num">MAPE</th><th scope="col" className="num">Naive</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ kind, color, p }) => (
            <tr key={kind} data-kind={kind} data-model={p.model}>
              <th scope="row"><span className="swatch" aria-hidden="true" style={{ background: color }} />{kindLabel(kind)}</th>
              <td className="num" data-value={p.predictedPrice}>{fmtPrice(p.predictedPrice)}</td>
              <td className="num" data-lower={p.interval.lower} data-upper={p.interval.upper}>{`${fmtPrice(p.interval.lower)} – ${fmtPrice(p.interval.upper)}`}</td>
              <td className={`num ${signClass(p.expectedReturn)}`}>{fmtSignedPct(p.expectedReturn)}</td>
              <td className="num" data-value={p.heldOut ? p.heldOut.mape : ''}>{p.heldOut ? fmtMape(p.heldOut.mape) : '—'}</td>
              <td className="num">{p.heldOut ? fmtMape(p.heldOut.naiveMape) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// The ensemble's members at the selected horizon: weight bars (plain HTML), excluded ones named
// with the core's reason.
export function EnsembleWeights({ p }) {
  const members = p.members || [];
  const top = Math.max(...members.map((m) => m.weight), 0) || 1;
  return (
    <figure id="ensemble-weights" className="weights" data-horizon={p.horizon} data-members={members.length}>
      <figcaption className="h4">{`Ensemble weights at ${p.horizon}`}{typeof p.confidence === 'string' ? ` · confidence: ${p.confidence}` : ''}</figcaption>
      <ul>
        {members.map((m) => (
          <li key={m.name} data-member={m.name} data-weight={m.weight} data-included={m.included ? 'true' : 'false'}>
            <span className="wname">{kindLabel(m.name)}</span>
            <span className="wtrack"><span className={`wbar${m.included ? '' : ' out'}`} style={{ width: `${((m.weight / top) * 100).toFixed(1)}%` }} /></span>
            <span className="wval">{m.included ? fmtPct(m.weight, 1) : `excluded${m.reason ? `: ${m.reason}` : ''}`}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}
